/**
 * Imported first by main.ts: zod probes `new Function` when an object schema is
 * *constructed*, and the shared schemas are constructed as their modules load. The
 * CSP refuses eval, and even the caught refusal is reported as a
 * securitypolicyviolation, so jitless must be on before any schema module runs.
 */
import { z } from 'zod';

z.config({ jitless: true });
