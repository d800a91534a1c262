import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { loadSession } from "./load-session";

/**
 * Checks that the session exists above this segment's loading.tsx: a loading boundary
 * starts streaming with status 200, so notFound() must run before it to answer 404.
 */
export default async function SessionLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  if (!(await loadSession((await params).id))) notFound();
  return children;
}
