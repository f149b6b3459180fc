import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { countUsers } from '@/lib/users/users';
import { SetupForm } from './setup-form';

export const metadata: Metadata = { title: 'First-run setup' };

export default async function SetupPage() {
  await connection(); // read per request, never prerendered at build time
  if ((await countUsers()) > 0) redirect('/sign-in');
  return (
    <>
      <h1 className="text-xl font-semibold">Welcome to Mailroom</h1>
      <p className="mt-2 text-sm text-slate-600">
        Create the first admin account. Admins set up server profiles, add mailboxes and invite the rest of your team.
        This page closes once the account exists.
      </p>
      <SetupForm />
    </>
  );
}
