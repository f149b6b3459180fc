import nodemailer, { type Transporter } from 'nodemailer';
import { LAB_HOST } from './lab-config';

/** Sends what the mail APIs accepted to the lab's SMTP sink, as the providers hand it to their own mail flow. */
export class SinkRelay {
  private readonly transport: Transporter;

  constructor(sinkPort: number) {
    // The sink speaks plain SMTP on loopback, without STARTTLS or AUTH.
    this.transport = nodemailer.createTransport({ host: LAB_HOST, port: sinkPort, secure: false, ignoreTLS: true, pool: true });
  }

  async relay(options: { envelopeFrom: string; recipients: string[]; raw: string | Buffer }): Promise<void> {
    await this.transport.sendMail({ envelope: { from: options.envelopeFrom, to: options.recipients }, raw: options.raw });
  }

  close(): void {
    this.transport.close();
  }
}
