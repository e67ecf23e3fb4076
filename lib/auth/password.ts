// Local-account passwords: argon2id (OWASP's first choice) via @node-rs/argon2, a maintained
// library that ships prebuilt binaries in its npm packages.
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 8;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spend the same time for unknown e-mails as for wrong passwords, so accounts can't be enumerated. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('skyport-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}
