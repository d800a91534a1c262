import { z } from "zod";

// Runs in the browser before the app (#9). The Content-Security-Policy forbids eval, and
// zod 4 probes for it with `new Function("")` on its first object parse: the probe's
// failure is caught, but the browser still reports a violation. jitless skips the probe.
z.config({ jitless: true });
