// The decoded trace of one key as it happens, for the key's window (serve --ui): the recorder of
// `serve --trace` (same decoding, same redaction), its whole messages only, handed on as they come.
import type { TraceSource } from '../../node/control/ui/uiServer.js';
import { TraceRecorder } from './record.js';
import type { MessageRecord } from './format.js';

export const liveTrace: TraceSource = (key, listener) => {
  const recorder = new TraceRecorder((line) => {
    const r = JSON.parse(line) as MessageRecord;
    if (typeof r.text === 'string') listener({ dir: r.dir, cid: r.cid, cmd: r.cmd, text: r.text });
  }, [key]);
  const stop = recorder.attach(key, 0);
  return () => {
    stop();
    recorder.close();
  };
};
