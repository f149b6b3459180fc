import type { ConnectProgress } from '@/lib/connect/get-connect-state';
import type { DeviceSignInView } from './connect-actions';

export function toDeviceSignInView(progress: ConnectProgress): DeviceSignInView {
  return {
    state: progress.state === 'pending' ? 'pending' : 'ended',
    device: progress.device
      ? { authorizationId: progress.authorizationId, ...progress.device, expiresAt: progress.device.expiresAt.toISOString() }
      : null,
    outcome: progress.outcome,
  };
}
