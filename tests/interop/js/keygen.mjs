#!/usr/bin/env node
// Generate an Ed25519 key pair with Digital Bazaar's ed25519-multikey and print it as that
// library exports it (the 64-byte secretKeyMultibase: seed then public key), and the same key
// as node's crypto (OpenSSL) writes it: a JWK and a PKCS#8 PEM. One JSON object on stdout.
//
//   node keygen.mjs [--controller DID]
import crypto from 'node:crypto';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function option(name) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function main() {
  const keyPair = await Ed25519Multikey.generate({controller: option('controller')});
  const multikey = await keyPair.export({publicKey: true, secretKey: true, includeContext: true});
  // The seed is the first half of the library's secret key; node's crypto takes it as PKCS#8.
  const seed = Buffer.from(keyPair.secretKey.subarray(0, 32));
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8'
  });
  const jwk = privateKey.export({format: 'jwk'});
  const pem = privateKey.export({format: 'pem', type: 'pkcs8'});
  process.stdout.write(JSON.stringify({multikey, jwk, pem}) + '\n');
}

main().catch(error => {
  process.stderr.write(`error: ${error.stack || error}\n`);
  process.exitCode = 2;
});
