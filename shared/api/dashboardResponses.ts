import { z } from 'zod';

/** POST /api/dashboard/sessions: a one-time sign-in link for the dashboard. */
export const DashboardSessionResponse = z.looseObject({ url: z.url(), expiresAt: z.string() });

/** GET /api/dashboard/me: who the page is signed in as (null: nobody), and how to sign in. */
export const DashboardMeResponse = z.looseObject({
  principal: z
    .looseObject({
      name: z.string(),
      roles: z.array(z.looseObject({ role: z.string(), environments: z.array(z.string()) })),
    })
    .nullable(),
  signIn: z.looseObject({ appServiceLogin: z.string().optional() }),
});

export const SignedOutResponse = z.looseObject({ signedOut: z.boolean() });
