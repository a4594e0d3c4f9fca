// The offline document loader the presentation script uses: microcred's bundled contexts
// (CONTEXTS_DIR, default: the package data) and did:key documents derived locally; any other
// URL is refused. Never the network.
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = process.env.CONTEXTS_DIR ||
  resolve(HERE, '../../../shared/microcred_shared/crypto/contexts');
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const DID_V1 = 'https://www.w3.org/ns/did/v1';

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function didKeyDocument(did) {
  const mb = did.slice('did:key:'.length);
  const vm = {id: `${did}#${mb}`, type: 'Multikey', controller: did, publicKeyMultibase: mb};
  return {
    '@context': [DID_V1, MULTIKEY_V1], id: did, verificationMethod: [vm],
    assertionMethod: [vm.id], authentication: [vm.id]
  };
}

export function offlineDocumentLoader() {
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
    throw new Error(`offline document loader: refusing to load ${url}`);
  };
}
