import 'reflect-metadata';
import { MIGRATIONS } from '@agenthub/migrations';
import { runMain } from './cli';

runMain(MIGRATIONS);
