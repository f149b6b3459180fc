/** Who performs a change: a signed-in user or API key holder, the command line, or the system itself. */
export type AuditActor = { userId: string | null; label: string };

export const COMMAND_LINE_ACTOR: AuditActor = { userId: null, label: 'command line' };
export const SYSTEM_ACTOR: AuditActor = { userId: null, label: 'system' };

export function userActor(user: { id: string; email: string }): AuditActor {
  return { userId: user.id, label: user.email };
}
