export { default } from 'ctap-emu/artillery';
