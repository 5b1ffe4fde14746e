/** Sizes in words, for messages: megabytes with one decimal (`97.7 MB`). */
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
