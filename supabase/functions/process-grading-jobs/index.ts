// Supabase Edge Function (Deno): `supabase functions deploy process-grading-jobs`.
// Scheduling it every 10 s with pg_cron + pg_net is shown in the README.
import { handleProcessGradingJobs } from "./handler.ts";

Deno.serve((request: Request) =>
  handleProcessGradingJobs(request, {
    GRADELINE_APP_URL: Deno.env.get("GRADELINE_APP_URL"),
    CRON_SECRET: Deno.env.get("CRON_SECRET"),
  }),
);
