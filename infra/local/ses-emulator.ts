import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import sesEmulatorModule from 'aws-ses-v2-local';
import { LOCAL_CREDENTIALS } from './local-stack.js';

/** One email as the SES emulator stored it (`GET /store`). */
export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: readonly string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
  /** Epoch seconds (wall clock, not virtual time). */
  readonly at: number;
}

/** A running aws-ses-v2-local on a free loopback port. */
export interface LocalSes {
  readonly endpoint: string;
  /** An SESv2 client pointed at the emulator. */
  readonly client: SESv2Client;
  /** Every email the emulator received, oldest first. */
  emails(): Promise<StoredEmail[]>;
  /** Empties the emulator's store (it is shared by every emulator in this process). */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

type StartEmulator = (config: { port: number; host: string }) => Promise<Server>;

/**
 * Starts aws-ses-v2-local (SES v1/v2 wire protocol; sent mail readable at `/store`) on a free
 * port, and an SESv2 client for it. The emulator keeps mail in module memory, so two emulators in
 * one process see the same store: filter by recipient, or `clear()` first.
 *
 * @example
 * const ses = await startLocalSes();
 * try { ...; expect(await ses.emails()).toHaveLength(1); } finally { await ses.stop(); }
 */
export async function startLocalSes(region = 'us-east-1'): Promise<LocalSes> {
  // The package is CommonJS with `exports.default`; under ESM interop the function may sit one level down.
  const moduleValue = sesEmulatorModule as unknown as StartEmulator | { default: StartEmulator };
  const start = typeof moduleValue === 'function' ? moduleValue : moduleValue.default;
  const server = await start({ port: 0, host: '127.0.0.1' });
  // Node closes an idle keep-alive socket after 5 s; a send written to it as it closes is reset,
  // and the client (maxAttempts 1, as a send must not be retried blindly) reports it in doubt. On
  // a slow machine that gap is common, so the emulator keeps idle sockets for the client's life.
  server.keepAliveTimeout = 0;
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SESv2Client({
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    async emails() {
      const response = await fetch(`${endpoint}/store`);
      if (!response.ok) throw new Error(`SES emulator /store answered ${response.status}`);
      const store = (await response.json()) as { emails: StoredEmail[] };
      return store.emails;
    },
    async clear() {
      await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
