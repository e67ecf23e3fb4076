// Runs in the browser before the app's own modules (Next.js instrumentation-client). zod 4 probes
// `new Function('')` when its first object schema is built, to decide whether to JIT-compile
// parsers; under our CSP (no 'unsafe-eval' in production) that probe is refused and reported as a
// CSP violation even though zod catches it. jitless skips the probe (parsing stays correct).
import { z } from 'zod';

z.config({ jitless: true });
