/**
 * onnxruntime-node, offline: imported (for its effect) before onnxruntime-node by every
 * module that creates a session.
 *
 * onnxruntime's posix builds (1.2x) keep a device id and a telemetry queue under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime and try to upload it to
 * mobile.events.data.microsoft.com. An offline audit tool writes nothing outside its own
 * store and calls nobody, so Odra sets ORT_DISABLE_TELEMETRY=1, which the runtime reads when
 * it creates its environment (the first session), whatever the user's environment says.
 * README: "Privacy".
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

