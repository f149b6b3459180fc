/** Who performs a change: a signed-in user or API key holder, the command line, or the system itself. */
export type AuditActor = { userId: string | null; label: string };

export const COMMAND_LINE_ACTOR: AuditActor = { userId: null, label: 'command line' };
export const SYSTEM_ACTOR: AuditActor = { userId: null, label: 'system' };

/** A person by their email; a business system (a service account) by its name, which is what admins know it by. */
export function userActor(user: { id: string; email: string; role?: string; name?: string | null }): AuditActor {
  if (user.role === 'service') return { userId: user.id, label: `${user.name ?? user.email} (service)` };
  return { userId: user.id, label: user.email };
}
