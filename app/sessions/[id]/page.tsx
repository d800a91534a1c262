import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { formatCreatedAt } from "../format-session";
import { loadSession } from "./load-session";
import { SessionView } from "./session-view";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const session = await loadSession((await params).id);
  return { title: session ? `${session.title} · Class sessions · Gradeline` : "Session not found · Gradeline" };
}

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await loadSession((await params).id);
  if (!session) notFound();
  return (
    <SessionView initial={{ ...session, createdAt: session.createdAt.toISOString() }} createdLabel={formatCreatedAt(session.createdAt)} />
  );
}
