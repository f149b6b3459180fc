import { inject, test } from 'vitest';
test('probe', () => { console.log('unit controlUrl', (inject('lab') as any).controlUrl); });
