/// <reference lib="webworker" />
/** Entry of the lab worker: the protocol in protocol.ts, the handlers in lab.ts. */
import { serve } from '../rpc';
import { createLab } from './lab';
import { LAB_NOTICES, type LabProtocol } from './protocol';

serve<LabProtocol>(self as unknown as DedicatedWorkerGlobalScope, createLab, { notices: LAB_NOTICES });
