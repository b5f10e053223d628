import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { LodeDatasource } from './datasource';
import type { LodeOptions, LodeQuery } from './types';

export const plugin = new DataSourcePlugin<LodeDatasource, LodeQuery, LodeOptions>(LodeDatasource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
