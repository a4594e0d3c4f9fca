#!/usr/bin/env node
// Verifiable Presentations with Digital Bazaar's @digitalbazaar/vc (createPresentation,
// signPresentation, verify), eddsa-rdfc-2022, fully offline.
//
//   node vp.mjs present --key HOLDER.json --challenge C --domain D CREDENTIAL.json...
//   node vp.mjs verify --challenge C --domain D PRESENTATION.json   one JSON result; exit 0 / 1
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';

import {offlineDocumentLoader, parseArgs, readJson, run} from './offline_loader.mjs';

function messages(error) {
  if(!error) {
    return [];
  }
  const inner = error.errors || [error];
  return inner.map(e => e.message || String(e));
}

async function present(options, documentLoader) {
  const keyPair = await Ed25519Multikey.from(readJson(options.key));
  const presentation = vc.createPresentation({
    verifiableCredential: options.files.map(readJson), holder: keyPair.controller
  });
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: rdfcSuite});
  return vc.signPresentation({
    presentation, suite, challenge: options.challenge, domain: options.domain, documentLoader
  });
}

async function verify(options, documentLoader) {
  const result = await vc.verify({
    presentation: readJson(options.files[0]),
    challenge: options.challenge,
    domain: options.domain,
    suite: new DataIntegrityProof({cryptosuite: rdfcSuite}),
    documentLoader
  });
  const credentials = (result.credentialResults || []).map(r => ({
    verified: r.verified, errors: messages(r.error)
  }));
  const presentationResult = result.presentationResult || {};
  return {
    verified: result.verified,
    presentation: {verified: presentationResult.verified, errors: messages(presentationResult.error)},
    credentials,
    errors: messages(result.error)
  };
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const options = parseArgs(rest);
  const documentLoader = offlineDocumentLoader();
  if(command === 'present') {
    const signed = await present(options, documentLoader);
    process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
    return 0;
  }
  if(command === 'verify') {
    const outcome = await verify(options, documentLoader);
    process.stdout.write(JSON.stringify(outcome) + '\n');
    return outcome.verified ? 0 : 1;
  }
  process.stderr.write('usage: vp.mjs present|verify …\n');
  return 2;
}

run(main);
