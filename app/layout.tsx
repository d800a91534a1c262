import Link from "next/link";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Gradeline",
  description: "Line-by-line feedback on student writing, streamed as it is graded.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Gradeline
          </Link>
          <nav aria-label="Main">
            <Link href="/">Home</Link>
            <Link href="/assignments">Assignments</Link>
            <Link href="/sessions">Sessions</Link>
            <Link href="/monitor">Monitor</Link>
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
