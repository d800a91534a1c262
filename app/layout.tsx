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
          <a href="/" className="brand">Gradeline</a>
          <nav aria-label="Main">
            <a href="/">Home</a>
            <a href="/assignments">Assignments</a>
            <a href="/sessions">Sessions</a>
            <a href="/monitor">Monitor</a>
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
