// A host's view of a HID device: write output reports, hear input reports. Every transport
// (loopback, UDP, node-hid) provides one.

export interface ReportPipe {
  write(report: Uint8Array): void | Promise<void>;
  /** Subscribes to input reports; returns the unsubscribe function. */
  onReport(listener: (report: Uint8Array) => void): () => void;
  close(): void | Promise<void>;
}
