"use client";

import { ErrorPanel } from "@/app/components/error-panel";

export default function SubmissionError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel title="This submission could not be loaded" error={error} retry={retry} />;
}
