import { closeSchemaValidator } from '../../shared/iso20022/schema';

// One libxml2 worker per test file's module registry: stop it when the file is done, so workers
// do not pile up in a long-lived jest process.
afterAll(() => closeSchemaValidator());
