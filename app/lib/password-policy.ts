// Shared by the server checks and the forms' hints (OWASP ASVS 2.1: at least 12 characters).
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
