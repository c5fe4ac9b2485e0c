/**
 * The business details as their forms send them (onboarding's first step and General
 * settings): bounds on what is read only; the domain (modules/merchants/onboarding.server.ts)
 * checks each field and names the one it refuses.
 */
import { z } from "zod";

export const businessDetailsFields = {
  name: z.string().max(300),
  legalName: z.string().max(300),
  businessType: z.string().max(300),
  contactEmail: z.string().max(300),
  contactPhone: z.string().max(100),
  website: z.string().max(300).optional(),
};
