import { z } from 'zod';
import { EnvironmentName, ENVIRONMENTS } from '../config/schema';

/**
 * Roles of the classic Azure MLOps split: data scientists work in dev only; ML engineers
 * own staging and prod (approve, rollback, prod data); readers look.
 */
export const Role = z.enum(['ml_engineer', 'data_scientist', 'reader']);
export type Role = z.infer<typeof Role>;

/** Who is calling, with the roles they hold in each environment. */
export const Principal = z.object({
  name: z.string().min(1),
  roles: z.array(z.object({ role: Role, environments: z.array(EnvironmentName).default([...ENVIRONMENTS]) })),
});
export type Principal = z.infer<typeof Principal>;
