import type { Report } from '../lib/report.js';
export async function scaleSection(r: Report): Promise<void> { r.section('scale', 'scale'); }
