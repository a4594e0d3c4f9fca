#!/usr/bin/env node
// Sign and verify Data Integrity proofs with Digital Bazaar's stack (the independent
// implementation microcred is cross-checked against), fully offline.
//
//   node di.mjs sign --key KEY.json [--suite eddsa-rdfc-2022|eddsa-jcs-2022] [--created ISO] IN.json
//   node di.mjs verify [--keys KEYS.json] FILE...     one JSON result per line; exit 0 / 1
//   node di.mjs canonize IN.json                      RDFC-1.0 N-Quads (safe mode) on stdout
//   node di.mjs bench --key KEY.json --suite S --seconds N IN.json
//
// Contexts come from microcred's bundled folder (CONTEXTS_DIR, default: the package data);
// did:key documents are derived locally; any other URL is refused. Never the network.
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as jcsSignSuite,
  createVerifyCryptosuite as jcsVerifySuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import jsonld from 'jsonld';

import {
  DID_V1, MULTIKEY_V1, offlineDocumentLoader, parseArgs, readJson, run
} from './offline_loader.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;

function makeDocumentLoader(extraKeys = []) {
  // extra Multikey documents (for non-did:key verification methods) and their controllers
  const documents = new Map();
  for(const key of extraKeys) {
    const doc = {'@context': MULTIKEY_V1, type: 'Multikey', ...key};
    delete doc.secretKeyMultibase;
    documents.set(doc.id, doc);
    const controller = documents.get(doc.controller) || {
      '@context': [DID_V1, MULTIKEY_V1], id: doc.controller,
      verificationMethod: [], assertionMethod: []
    };
    controller.verificationMethod.push(doc);
    controller.assertionMethod.push(doc.id);
    documents.set(doc.controller, controller);
  }
  return offlineDocumentLoader(documents);
}

function signingSuite(name) {
  if(name === 'eddsa-rdfc-2022') {
    return rdfcSuite;
  }
  if(name === 'eddsa-jcs-2022') {
    return jcsSignSuite();
  }
  throw new Error(`unknown suite ${name}`);
}

async function signDocument(document, options) {
  const keyPair = await Ed25519Multikey.from(readJson(options.key));
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(),
    cryptosuite: signingSuite(options.suite || 'eddsa-rdfc-2022'),
    date: options.created
  });
  return jsigs.sign(structuredClone(document), {
    suite,
    purpose: new AssertionProofPurpose(),
    documentLoader: options.documentLoader
  });
}

async function verifyDocument(document, documentLoader) {
  const suites = [
    new DataIntegrityProof({cryptosuite: rdfcSuite}),
    new DataIntegrityProof({cryptosuite: jcsVerifySuite()})
  ];
  const result = await jsigs.verify(document, {
    suite: suites,
    purpose: new AssertionProofPurpose(),
    documentLoader
  });
  // jsonld-signatures calls a document verified when any one proof verifies; report each
  // proof and call the document verified only when every proof is (as microcred does).
  const errors = [];
  const proofs = (result.results || []).map(r => ({
    id: r.proof?.id ?? null,
    cryptosuite: r.proof?.cryptosuite ?? null,
    verified: r.verified,
    error: r.error ? (r.error.message || String(r.error)) : null
  }));
  for(const p of proofs) {
    if(p.error) {
      errors.push(p.error);
    }
  }
  if(result.error) {
    const inner = result.error.errors || [result.error];
    errors.push(...inner.map(e => e.message || String(e)));
  }
  const verified = result.verified && proofs.length > 0 && proofs.every(p => p.verified);
  return {verified, errors, proofs};
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const options = parseArgs(rest);
  const keys = options.keys ? [].concat(readJson(options.keys)) : [];
  const documentLoader = makeDocumentLoader(keys);
  options.documentLoader = documentLoader;

  if(command === 'sign') {
    const signed = await signDocument(readJson(options.files[0]), options);
    process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
    return 0;
  }
  if(command === 'verify') {
    let ok = true;
    for(const file of options.files) {
      const outcome = await verifyDocument(readJson(file), documentLoader);
      ok = ok && outcome.verified;
      process.stdout.write(JSON.stringify({file, ...outcome}) + '\n');
    }
    return ok ? 0 : 1;
  }
  if(command === 'canonize') {
    const nquads = await jsonld.canonize(readJson(options.files[0]), {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true
    });
    process.stdout.write(nquads);
    return 0;
  }
  if(command === 'bench') {
    // sign and verify for --seconds each; prints operations per second as JSON
    const document = readJson(options.files[0]);
    const seconds = Number(options.seconds || 3);
    const signed = await signDocument(document, options);
    // operations per CPU-second of this process (per core, unaffected by other load)
    const cpuSeconds = () => {
      const {user, system} = process.cpuUsage();
      return (user + system) / 1e6;
    };
    const rate = async fn => {
      let n = 0;
      const start = cpuSeconds();
      while(cpuSeconds() - start < seconds) {
        await fn();
        ++n;
      }
      return n / (cpuSeconds() - start);
    };
    const sign = await rate(() => signDocument(document, options));
    const verify = await rate(async () => {
      const {verified} = await verifyDocument(signed, documentLoader);
      if(!verified) {
        throw new Error('benchmark credential did not verify');
      }
    });
    process.stdout.write(JSON.stringify({suite: options.suite, sign, verify}) + '\n');
    return 0;
  }
  process.stderr.write('usage: di.mjs sign|verify|canonize|bench …\n');
  return 2;
}

run(main);
