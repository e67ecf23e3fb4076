// Registers every provider adapter. Imported once by processes that talk to providers.
export {};
