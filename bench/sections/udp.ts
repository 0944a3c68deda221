import type { Report } from '../lib/report.js';
export async function udpSection(r: Report): Promise<void> { r.section('udp', 'udp'); }
