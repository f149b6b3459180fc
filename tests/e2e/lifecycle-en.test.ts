// Issue 16, acceptance 1 and 4, in English: the whole lifecycle from /setup to a reconnect link, in a
// browser that asks for English (tests/helpers/lifecycle.ts).
import { describeLifecycle } from '../helpers/lifecycle';

describeLifecycle('en');
