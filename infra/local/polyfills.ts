/**
 * `Promise.withResolvers` (Node.js 22+) for the local tooling on Node.js 20: aws-local-stepfunctions
 * 3 calls it on every execution. Importing this module installs it once when it is missing.
 */
interface PromiseWithResolversShape<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseConstructor = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseConstructor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): PromiseWithResolversShape<T> {
      let resolve!: PromiseWithResolversShape<T>['resolve'];
      let reject!: PromiseWithResolversShape<T>['reject'];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
