# The Odra engine image for sharded audits (odra audit --shard, odra merge): the command line
# only, no Electron, no renderer. Debian (bookworm) with Node 20.
#
#   docker build -t odra:0.1.0 .
#   docker run --rm -v /data:/data -v /shards:/shards odra:0.1.0 audit --model /data/m.onnx ...
#
# Build stage: npm ci as everywhere (package.json allowScripts: better-sqlite3 builds, the
# Electron and onnxruntime CUDA downloads are skipped), which also builds out/node (prepare);
# then the dev dependencies go. CPU execution provider; for --ep cuda, base the runtime stage
# on an nvidia/cuda runtime image with Node 20 and install onnxruntime-node's CUDA binaries.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /odra
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY . .
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /odra
COPY --from=build /odra/package.json ./package.json
COPY --from=build /odra/node_modules ./node_modules
COPY --from=build /odra/out/node ./out/node
COPY --from=build /odra/bin ./bin
RUN ln -s /odra/bin/odra.mjs /usr/local/bin/odra
# stores are written by whatever user the batch engine runs; nothing here needs root
USER node
ENTRYPOINT ["odra"]
CMD ["--help"]
