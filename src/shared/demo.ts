/**
 * The demo workspace in the contract (`demo.setup`): Odra's own synthetic road scenes, its
 * own detector family (resources/demo/models) and one audit of the family on the scenes.
 * The engine decides where the scenes are written (beside its store) and where the models
 * are (the app's resources), so a client names only the preset.
 *
 * Presets (engine/demo/workspace.ts has their plans):
 *   demo   the first-run audit: 100 scenes x clean + every corruption at severity 3
 *   smoke  8 scenes x clean + two corruptions (tests, CI)
 */
import { z } from 'zod';

export const DEMO_PRESET_NAMES = ['demo', 'smoke'] as const;
export type DemoPresetName = (typeof DEMO_PRESET_NAMES)[number];

export const demoSetupInputSchema = z.object({ preset: z.enum(DEMO_PRESET_NAMES).default('demo') }).strict();

export const demoWorkspaceSchema = z.object({
  datasetId: z.number().int().nonnegative(),
  /** the family in report order, baseline first */
  modelIds: z.array(z.number().int().nonnegative()),
  auditId: z.number().int().nonnegative(),
  /** the audit's running job (follow it with jobs.watch); null when it had already finished */
  jobId: z.string().nullable(),
  status: z.enum(['started', 'resumed', 'done']),
  units: z.number().int().nonnegative(),
});
export type DemoWorkspace = z.infer<typeof demoWorkspaceSchema>;
