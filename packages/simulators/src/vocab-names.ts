/**
 * Name pools for the generator: customer accounts in many locales (so the UI's sorting, escaping and
 * Unicode handling get exercised), support staff, customer contacts, engineers and the team.
 * All names are fictional.
 */
import type { SimTeamMember } from './model.js';

export interface LocalePool {
  locale: string;
  accounts: readonly string[];
  /** Stems and suffixes for extra accounts when the case count asks for more than the base list. */
  stems: readonly string[];
  suffixes: readonly string[];
  firstNames: readonly string[];
  lastNames: readonly string[];
  /** Family name first (ja, ko, zh) affects how display names are joined. */
  familyFirst?: boolean;
}

export const LOCALES: readonly LocalePool[] = [
  {
    locale: 'en',
    accounts: [
      'Acme Telecom Inc',
      'Northwind Mobile',
      'Globex Communications',
      'Pinnacle Wireless LLC',
      'Blue Harbor Networks',
      "O'Brien & Sons Telecom",
      'Summit Broadband',
      'Atlantic Edge Telecom',
    ],
    stems: ['Redwood', 'Silverline', 'Keystone', 'Prairie', 'Coastal', 'Granite', 'Lakeside', 'Beacon'],
    suffixes: ['Telecom Inc', 'Wireless', 'Networks LLC', 'Communications', 'Broadband Co'],
    firstNames: ['James', 'Emily', 'Michael', 'Sarah', 'David', 'Olivia', 'Daniel', 'Grace'],
    lastNames: ['Smith', 'Johnson', 'Walker', 'Bennett', 'Hughes', 'Carter', 'Reed', 'Murphy'],
  },
  {
    locale: 'ja',
    accounts: [
      '株式会社ひかり通信',
      'さくらモバイル株式会社',
      '株式会社ミライネットワークス',
      'Yamato Telecom K.K.',
    ],
    stems: ['あおば', 'ほくと', 'なでしこ', 'Kansai', 'Kyushu'],
    suffixes: ['通信株式会社', 'ネットワークス株式会社', 'Telecom K.K.'],
    firstNames: ['Haruto', 'Yui', 'Sota', 'Aoi', 'Ren', 'Hina'],
    lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Watanabe', 'Ito', 'Nakamura'],
    familyFirst: true,
  },
  {
    locale: 'ko',
    accounts: ['한빛텔레콤', '미래모바일 주식회사', 'Haneul Networks Co., Ltd.'],
    stems: ['누리', '바다', 'Gangnam', 'Busan'],
    suffixes: ['텔레콤', '네트웍스 주식회사', 'Networks Co., Ltd.'],
    firstNames: ['Min-jun', 'Seo-yeon', 'Ji-ho', 'Ha-eun', 'Do-yun'],
    lastNames: ['Kim', 'Lee', 'Choi', 'Jung', 'Kang'],
    familyFirst: true,
  },
  {
    locale: 'es',
    accounts: ['Telecomunicaciones del Sur S.A.', 'Red Andina de Datos S.L.', 'Conexión Ibérica S.A.'],
    stems: ['Meseta', 'Pampa', 'Caribe', 'Cantábrico', 'Sierra'],
    suffixes: ['Telecomunicaciones S.A.', 'Redes S.L.', 'Comunicaciones S.A. de C.V.'],
    firstNames: ['Lucía', 'Mateo', 'Sofía', 'Alejandro', 'Valentina', 'Javier'],
    lastNames: ['García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Núñez'],
  },
  {
    locale: 'de',
    accounts: ['Nordlicht Netz GmbH', 'Alpenfunk Kommunikation AG', 'Rheinwelle Telekom GmbH'],
    stems: ['Elbtal', 'Schwarzwald', 'Bodensee', 'Weser', 'Münsterland'],
    suffixes: ['Netz GmbH', 'Telekom AG', 'Kommunikation GmbH'],
    firstNames: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Marie'],
    lastNames: ['Müller', 'Schmidt', 'Weiß', 'Becker', 'Hoffmann', 'Groß'],
  },
  {
    locale: 'fr',
    accounts: ["Réseaux Côte d'Azur SA", 'Télécom Lumière SAS', 'Société Fibre Atlantique'],
    stems: ['Provence', 'Bretagne', 'Alsace', 'Lyonnaise'],
    suffixes: ['Télécom SA', 'Réseaux SAS', 'Communications SARL'],
    firstNames: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Théo'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau', 'Girard'],
  },
  {
    locale: 'pt',
    accounts: ['Telecomunicações Aurora Ltda.', 'Rede Paulista de Dados S.A.', 'Conecta Lusitânia S.A.'],
    stems: ['Cerrado', 'Atlântico', 'Minas', 'Algarve'],
    suffixes: ['Telecomunicações Ltda.', 'Redes S.A.', 'Conectividade Ltda.'],
    firstNames: ['João', 'Ana', 'Gabriel', 'Beatriz', 'Rafael', 'Mariana'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Conceição', 'Araújo'],
  },
  {
    locale: 'zh',
    accounts: ['华信移动通信有限公司', '长城云网科技有限公司', '星辰电信股份有限公司'],
    stems: ['东方', '华南', '天河', 'Pearl River'],
    suffixes: ['通信有限公司', '网络科技有限公司', 'Telecom Co., Ltd.'],
    firstNames: ['Wei', 'Fang', 'Jing', 'Lei', 'Xiaoming', 'Yan'],
    lastNames: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Zhao'],
    familyFirst: true,
  },
  {
    locale: 'other',
    accounts: [
      'Telecomunicazioni Adriatiche S.p.A.',
      'Fjordnett AS',
      'Sieć Bałtycka Sp. z o.o.',
      'Anadolu Şebeke A.Ş.',
      'Bharat Tarang Networks Pvt Ltd',
      'شبكات الخليج للاتصالات',
    ],
    stems: ['Tirreno', 'Nordkapp', 'Wisła', 'Ganga'],
    suffixes: ['Networks', 'Telecom', 'Communications'],
    firstNames: ['Giulia', 'Ingrid', 'Piotr', 'Elif', 'Arjun', 'Layla'],
    lastNames: ['Rossi', 'Hansen', 'Nowak', 'Yılmaz', 'Sharma', 'Haddad'],
  },
];

/** Red Hat support engineers who own cases (the `case_owner` display names). */
export const CASE_OWNERS: readonly string[] = [
  'Kenji Morimoto',
  'Rachel Goldberg',
  'Andrés Villalobos',
  'Sven Lindqvist',
  'Fatima Zahra Bennani',
  'Hyun-woo Shin',
  'Élodie Fournier',
  'Rahul Menon',
  'Katarzyna Wójcik',
  'Matteo Conti',
  'Olumide Adeyemi',
  'Mei Lin Tan',
  'Connor McAllister',
  'Thiago Nascimento',
];

/** Engineering staff used as assignees / QA contacts on linked issues and bugs. */
export const ENGINEERS: readonly string[] = [
  'Petr Novák',
  'Ioana Popescu',
  'Daniel Mellado',
  'Yuval Kashtan',
  'Nadia Kowalczyk',
  'Brendan Shea',
  'Chen Jia',
  'Marta Kovač',
  'Aditya Kulkarni',
  'Federico Paolinelli',
  'Lin Xu',
  'Tomás Ortega',
];

/**
 * The field team. Account affinities are substrings of generated account names (the original
 * matches them case-insensitively), one member is inactive and one does not want portal watching.
 */
export const TEAM: readonly SimTeamMember[] = [
  {
    name: 'Aiko Tanaka',
    jira_user: 'rhn-support-atanaka',
    jira_account_id: '712020:5b1f0c9e-2d4a-4b7e-9d61-0a7c3f1e8a01',
    slack_user: 'U04ATNK01',
    accounts: ['ひかり通信', 'Yamato Telecom'],
    active: true,
    notifieduser: true,
  },
  {
    name: 'Miguel Ángel Romero',
    jira_user: 'rhn-support-mromero',
    jira_account_id: '712020:8c2e4d1a-7f3b-4c9a-a2d5-1b8e6f0c4a02',
    slack_user: 'U04MRMR02',
    accounts: ['Telecomunicaciones del Sur', 'Red Andina'],
    active: true,
    notifieduser: true,
  },
  {
    name: 'Jana Schröder',
    jira_user: 'rhn-support-jschroder',
    jira_account_id: '712020:1d7a9e3c-4b2f-4e8d-b6a1-2c9f7e1d5b03',
    slack_user: 'U04JSCH03',
    accounts: ['Alpenfunk', 'Nordlicht'],
    active: true,
    notifieduser: true,
  },
  {
    name: 'Min-jun Park',
    jira_user: 'rhn-support-mpark',
    jira_account_id: '712020:3f9b2c7d-1e4a-4d6b-8c3e-3d0a8f2e6c04',
    slack_user: 'U04MPRK04',
    accounts: ['한빛텔레콤'],
    active: true,
    notifieduser: true,
  },
  {
    name: 'Priya Raman',
    jira_user: 'rhn-support-praman',
    jira_account_id: '712020:6a4c8e2b-9d1f-4a7c-b5e2-4e1b9a3f7d05',
    slack_user: 'U04PRMN05',
    accounts: [],
    active: true,
    notifieduser: false,
  },
  {
    name: 'Lucas Oliveira',
    jira_user: 'rhn-support-loliveira',
    jira_account_id: '712020:9e1d5a3c-2b7f-4c8e-a4d6-5f2c0b4e8e06',
    slack_user: 'U04LOLV06',
    accounts: ['Aurora', 'Rede Paulista'],
    active: true,
    notifieduser: true,
  },
  {
    name: "Tom O'Neill",
    jira_user: 'rhn-support-toneill',
    jira_account_id: '712020:2b8f6d4e-3c9a-4e1f-b7a3-6a3d1c5f9f07',
    slack_user: 'U04TONL07',
    accounts: ['Acme Telecom'],
    active: false,
    notifieduser: true,
  },
];
