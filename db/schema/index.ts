export * from "./enums";
export * from "./merchants";
export * from "./identity";
export * from "./terminals";
export * from "./payments";
export * from "./ledger";
export * from "./ops";
export * from "./sandbox";
