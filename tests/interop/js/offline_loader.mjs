// What the Digital Bazaar scripts share: the offline document loader (microcred's bundled
// contexts from CONTEXTS_DIR, default: the package data; did:key documents derived locally;
// any extra documents a script is given; any other URL refused, never the network), their
// argument parsing and their exit codes.
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = process.env.CONTEXTS_DIR ||
  resolve(HERE, '../../../shared/microcred_shared/crypto/contexts');
export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
export const DID_V1 = 'https://www.w3.org/ns/did/v1';

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function didKeyDocument(did) {
  const mb = did.slice('did:key:'.length);
  const vm = {id: `${did}#${mb}`, type: 'Multikey', controller: did, publicKeyMultibase: mb};
  return {
    '@context': [DID_V1, MULTIKEY_V1], id: did, verificationMethod: [vm],
    assertionMethod: [vm.id], authentication: [vm.id],
    capabilityInvocation: [vm.id], capabilityDelegation: [vm.id]
  };
}

// extra: URL -> document, for verification methods that are not did:key (and their controllers)
export function offlineDocumentLoader(extra = new Map()) {
  const index = readJson(join(CONTEXTS_DIR, 'index.json'));
  const contexts = new Map(
    Object.entries(index).map(([url, file]) => [url, readJson(join(CONTEXTS_DIR, file))]));
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(url.startsWith('did:key:')) {
      const [did, fragment] = url.split('#');
      const didDoc = didKeyDocument(did);
      const document = fragment ?
        {'@context': MULTIKEY_V1, ...didDoc.verificationMethod[0]} : didDoc;
      return {contextUrl: null, documentUrl: url, document};
    }
    if(extra.has(url)) {
      return {contextUrl: null, documentUrl: url, document: extra.get(url)};
    }
    throw new Error(`offline document loader: refusing to load ${url}`);
  };
}

// --name value pairs into options.name, everything else into options.files
export function parseArgs(argv) {
  const options = {files: []};
  for(let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if(arg.startsWith('--')) {
      options[arg.slice(2)] = argv[++i];
    } else {
      options.files.push(arg);
    }
  }
  return options;
}

// main's promised number is the exit code; a thrown error is exit code 2, its stack on stderr
export function run(main) {
  main().then(code => {
    process.exitCode = code;
  }, error => {
    process.stderr.write(`error: ${error.stack || error}\n`);
    process.exitCode = 2;
  });
}
