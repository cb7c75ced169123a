// Trunk post_build hook (see Trunk.toml): in release builds, writes NAME.br
// and NAME.gz next to every text or wasm file of the build, so static hosts
// (nginx `gzip_static`/`brotli_static`, the reference backend's --static) can
// send them as they are. A compressed copy that is not smaller than its
// original is not written. Debug builds (`trunk serve`) are left alone.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.svg', '.json', '.txt', '.map']);

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return entry.isFile() && COMPRESSIBLE.has(extname(entry.name)) ? [path] : [];
  });
}

function compress(dir, path) {
  const raw = readFileSync(path);
  const brotli = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: path.endsWith('.wasm') ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gzip = gzipSync(raw, { level: 9 });
  const written = [];
  for (const [suffix, data] of [['.br', brotli], ['.gz', gzip]]) {
    if (data.length < raw.length) {
      writeFileSync(path + suffix, data);
      written.push(`${suffix.slice(1)} ${data.length}`);
    }
  }
  return `${relative(dir, path)}: ${raw.length} bytes${written.length ? `, ${written.join(', ')}` : ', not compressed (would not shrink)'}`;
}

if (process.env.TRUNK_PROFILE === 'release') {
  const dir = process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('precompress: TRUNK_STAGING_DIR is not set; run me as a trunk post_build hook');
    process.exit(1);
  }
  for (const path of files(dir)) console.log(`precompress: ${compress(dir, path)}`);
}
