// ctap-emu/artillery: the Artillery engine, for `config.engines.ctap-emu` through the
// artillery-engine-ctap-emu package (Artillery loads engines as artillery-engine-NAME).
export { CtapEmuEngine as default, CtapEmuEngine, type ArtilleryHelpers, type ArtilleryScript, type ScenarioContext } from './engine.js';
export { METRICS, type ArtilleryEvents } from './ceremony.js';
export { ENGINE_NAME, type CeremonyStep, type EngineConfig } from './config.js';
