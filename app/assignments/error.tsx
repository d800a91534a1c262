"use client";

import { ErrorPanel } from "@/app/components/error-panel";

export default function AssignmentsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel title="Assignments could not be loaded" error={error} retry={retry} />;
}
