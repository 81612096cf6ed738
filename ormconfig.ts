import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { dataSourceOptions } from './src/database/data-source';

/** TypeORM CLI entry (migration:run / generate / revert): the same validated config as the app. */
export default new DataSource(dataSourceOptions(loadConfig()));
