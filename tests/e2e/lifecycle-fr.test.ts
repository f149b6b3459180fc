// Issue 16, acceptance 1 and 4, in French: the whole lifecycle from /setup to a reconnect link, in a
// browser that asks for French (tests/helpers/lifecycle.ts).
import { describeLifecycle } from '../helpers/lifecycle';

describeLifecycle('fr');
