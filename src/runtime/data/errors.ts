/**
 * A dataset that is missing or not what netc expects. The message names the file
 * and what was expected; training programs print it without a stack trace.
 */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}
