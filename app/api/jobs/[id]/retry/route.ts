import { jobActionRoute } from "@/lib/api/job-action-route";

export const dynamic = "force-dynamic";

export const POST = jobActionRoute("retry");
