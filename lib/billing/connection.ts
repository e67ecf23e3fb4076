// COPY needs a plain pg connection next to Prisma's pool: the connection string of the process
// database (DATABASE_URL), or the one a test pointed the handlers at.
let override: string | null = null;

export function setBillingConnectionString(url: string | null): void {
  override = url;
}

export function billingConnectionString(): string {
  const url = override ?? process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded database).');
  return url;
}
