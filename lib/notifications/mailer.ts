// E-mail over SMTP with nodemailer. One transport per SMTP URL, reused across jobs.
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailSettings {
  /** undefined = e-mail is off (notifications stay in-app). */
  smtpUrl?: string;
  smtpFrom: string;
  /** Absolute base for links, e.g. https://skyport.example.com. */
  publicUrl: string;
}

const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    // Short timeouts: a hung server fails this attempt and the job retries with back-off.
    t = nodemailer.createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
    transports.set(url, t);
  }
  return t;
}

export function absoluteLink(publicUrl: string, link: string): string {
  if (/^https?:\/\//.test(link)) return link;
  return `${publicUrl.replace(/\/+$/, '')}/${link.replace(/^\/+/, '')}`;
}

/** Sends one message; returns false when e-mail is off. Throws when the server refuses. */
export async function sendMail(settings: MailSettings, message: { to: string; subject: string; text: string; link: string }): Promise<boolean> {
  if (!settings.smtpUrl) return false;
  const url = absoluteLink(settings.publicUrl, message.link);
  await transportFor(settings.smtpUrl).sendMail({
    from: settings.smtpFrom,
    to: message.to,
    subject: message.subject,
    text: `${message.text}\n\nOpen in Skyport: ${url}\n`,
  });
  return true;
}
