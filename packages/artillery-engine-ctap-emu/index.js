// Artillery loads an engine named NAME from the package artillery-engine-NAME: this is ctap-emu's.
export { default } from 'ctap-emu/artillery';
